import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HasText, NoControlCharacters } from '../common/validation.js';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';

export class SubstituteFactsDto {
  @ApiPropertyOptional({
    nullable: true,
    type: 'integer',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 300000,
    description:
      "The responders' estimate of what notifying each person would cost, in whole US dollars (California: over $250,000 allows substitute notice); null: no estimate",
  })
  @IsOptional()
  @ValidateIf((_o, value) => value !== null)
  @IsInt()
  @Min(0)
  // 1e308 is an integer to JavaScript; what the column (bigint) holds and a number keeps exactly is less.
  @Max(Number.MAX_SAFE_INTEGER)
  estimatedCostUsd?: number | null;

  @ApiProperty({
    description:
      'Whether telling each person would involve disproportionate effort, or is not practicable (GDPR Art. 34(3)(c), Australia, PIPEDA): a decision, with its reason',
  })
  @IsBoolean()
  disproportionateEffort!: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 2000,
    example: 'Most of the people affected left no email address or phone number with us.',
    description: 'Why (required with a decision of disproportionate effort)',
  })
  @IsOptional()
  @ValidateIf((_o, value) => value !== null)
  @IsString()
  @HasText()
  @NoControlCharacters({ multiline: true })
  @MaxLength(2000)
  reason?: string | null;
}
