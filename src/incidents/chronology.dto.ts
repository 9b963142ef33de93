import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsZonedDateTime, VisibleText } from '../common/validation.js';
import { textsRule, wordsByTagProblem } from './incident-texts.rules.js';
import { CHRONOLOGY_KINDS, type ChronologyKind } from './regulator-text.js';

/** An event of the incident's own story, as a regulator reads it in the report's chronology. */
export class ChronologyEntryDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-11-04T09:15:00Z',
    description: 'When (ISO 8601 with a zone)',
  })
  @IsZonedDateTime()
  at!: string;

  @ApiProperty({ enum: CHRONOLOGY_KINDS, description: 'What kind of step in the handling of the breach' })
  @IsIn(CHRONOLOGY_KINDS)
  kind!: ChronologyKind;

  @ApiProperty({ description: "What happened, in the incident's language", maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @VisibleText({ multiline: true })
  @MaxLength(2000)
  text!: string;

  @ApiPropertyOptional({
    description: 'The same words per BCP 47 tag, for regulators in other languages',
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 2000 },
    example: { de: 'Der Speicher wurde gesperrt.' },
  })
  @IsOptional()
  @textsRule('isTranslations', 'translations', wordsByTagProblem)
  translations?: Record<string, string>;
}
