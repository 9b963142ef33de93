import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Role } from '../common/permissions.js';
import type { ApiKeyRow } from './api-key.repository.js';
import { IsZonedDateTime } from '../common/validation.js';

export class CreateApiKeyDto {
  @ApiProperty({
    description: 'What the key is for, e.g. "CI pipeline" or a person\'s role',
    example: 'On-call responder',
    maxLength: 100,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: Role, example: Role.Responder, description: 'What the key may do' })
  @IsEnum(Role)
  role!: Role;

  @ApiPropertyOptional({
    description:
      "Who holds the key: one person's work identity, such as their email address (compared without case). " +
      'Four eyes compare holders: a campaign or report drafted with a key cannot be approved with another key of the same holder.',
    example: 'ana.lima@example.com',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  holder?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2027-06-30T00:00:00Z',
    description: 'When the key stops working (ISO 8601 with a zone, in the future)',
  })
  @IsOptional()
  @IsZonedDateTime()
  expiresAt?: string;
}

export class ApiKeyDto {
  @ApiProperty({ description: 'Key id (appears in the audit log as the actor)' }) id!: string;
  @ApiProperty({ description: 'What the key is for' }) name!: string;
  @ApiProperty({ enum: Role, description: 'What the key may do' }) role!: string;
  @ApiProperty({ description: 'Who holds the key (lower-cased), when given', nullable: true, type: String })
  holder!: string | null;
  @ApiProperty({ description: 'First characters of the secret, to tell keys apart' }) prefix!: string;
  @ApiProperty({ description: 'When it was created' }) createdAt!: string;
  @ApiProperty({ description: 'When it stops working', nullable: true, type: String }) expiresAt!:
    string | null;
  @ApiProperty({ description: 'When it was revoked', nullable: true, type: String }) revokedAt!:
    string | null;
  @ApiProperty({ description: 'Last use, to the minute', nullable: true, type: String }) lastUsedAt!:
    string | null;

  static from(row: ApiKeyRow): ApiKeyDto {
    return {
      id: row.id,
      name: row.name,
      role: row.role,
      holder: row.holder,
      prefix: row.keyPrefix,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt?.toISOString() ?? null,
      revokedAt: row.revokedAt?.toISOString() ?? null,
      lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiKeyDto {
  @ApiProperty({ description: 'Key id' }) id!: string;
  @ApiProperty({ description: 'What the key is for' }) name!: string;
  @ApiProperty({ enum: Role, description: 'What the key may do' }) role!: string;
  @ApiProperty({ description: 'Who holds the key (lower-cased), when given', nullable: true, type: String })
  holder!: string | null;
  @ApiProperty({ description: 'When it stops working', nullable: true, type: String }) expiresAt!:
    string | null;
  @ApiProperty({ description: 'The secret: shown this once, store it now' }) key!: string;
}
