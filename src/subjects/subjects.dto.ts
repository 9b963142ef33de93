import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IMPORT_FORMATS, type ImportFormat } from './import.parsers.js';
import { CHANNELS, PUSH_PLATFORMS } from './subject.validation.js';
import { BULK_MAX } from './subjects.service.js';

export class PushTokenDto {
  @ApiProperty({ maxLength: 4096, example: 'dGhpcy1pcy1hLWRldmljZS10b2tlbg:APA91bH-example' }) token!: string;
  @ApiProperty({ enum: PUSH_PLATFORMS }) platform!: string;
}

export class GuardianDto {
  @ApiPropertyOptional({ maxLength: 200, example: 'Maria Souza' }) name?: string;
  @ApiPropertyOptional({ example: 'parent@example.com' }) email?: string;
  @ApiPropertyOptional({ example: '+5511912345678', description: 'E.164' }) phone?: string;
  @ApiPropertyOptional({ example: 'pt-BR', description: 'BCP 47' }) locale?: string;
}

/** One person of the app, as the app sends it. Shown for the documentation; rows are checked one by one. */
export class SubjectDto {
  @ApiProperty({
    example: 'u-123',
    minLength: 1,
    maxLength: 128,
    description:
      "The app's user id: 1-128 letters, digits or ._:|+/#=@-, and never an email address (refused, `notContactData`: the id is stored in clear and shown to auditors, so it must not be contact data)",
  })
  externalId!: string;
  @ApiPropertyOptional({ maxLength: 200, example: 'Ana Souza' }) name?: string;
  @ApiPropertyOptional({ example: 'ana@example.com' }) email?: string;
  @ApiPropertyOptional({
    example: '+5511912345678',
    description: 'E.164, checked against the numbering plan',
  })
  phone?: string;
  @ApiPropertyOptional({ type: [PushTokenDto], maxItems: 20 }) pushTokens?: PushTokenDto[];
  @ApiPropertyOptional({ example: 'pt-BR', description: 'BCP 47 language tag' }) locale?: string;
  @ApiPropertyOptional({ example: 'America/Sao_Paulo', description: 'IANA time zone' }) timeZone?: string;
  @ApiPropertyOptional({
    example: 'BR',
    description:
      'ISO 3166-1 alpha-2, or ISO 3166-2 for US, CA, AU, GB (e.g. US-CA); inferred from the phone when absent',
  })
  jurisdiction?: string;
  @ApiPropertyOptional({ example: '2013-05-01' }) birthDate?: string;
  @ApiPropertyOptional({ type: GuardianDto, description: "A minor's parent or guardian" })
  guardian?: GuardianDto;
  @ApiPropertyOptional({ enum: CHANNELS, isArray: true, description: 'Order of preference' })
  channelPreferences?: string[];
  @ApiPropertyOptional({
    type: [String],
    example: ['email_address', 'photos'],
    description:
      "The person's data by category: a group of the privacy policy (personal_identifiers, camera_data...) or a finer category (email_address, photos...), or a configured extra one",
  })
  dataCategories?: string[];
  @ApiPropertyOptional({ type: [String], example: ['auth-db', 'media-store'] }) systems?: string[];
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2024-03-01T12:00:00Z',
    description: 'When they signed up (ISO 8601 with a zone)',
  })
  createdAt?: string;
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-10-30T18:45:00-03:00',
    description: 'When they were last active (ISO 8601 with a zone)',
  })
  lastActiveAt?: string;
}

export class BulkSubjectsDto {
  @ApiProperty({ type: [SubjectDto], minItems: 1, maxItems: BULK_MAX })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_MAX)
  subjects!: unknown[];
}

export class RejectionDto {
  @ApiProperty({ description: 'Index of the row in `subjects`' }) index!: number;
  @ApiProperty({ example: 'email' }) field!: string;
  @ApiProperty({ example: 'isEmail' }) rule!: string;
  @ApiProperty() message!: string;
}

export class BulkResultDto {
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty({ description: 'Rows refused; the others were stored' }) rejected!: number;
  @ApiProperty({ type: [RejectionDto], description: 'One entry per broken rule' })
  rejections!: RejectionDto[];
}

export class LookupDto {
  @ApiPropertyOptional({ example: 'ana@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+5511912345678' })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  phone?: string;
}

export class DerivedDto {
  @ApiProperty() jurisdictionInferred!: boolean;
  @ApiProperty({ description: 'Under the age of digital consent of their jurisdiction' }) minor!: boolean;
  @ApiProperty({ description: 'A minor with no guardian email or phone: the notice must go elsewhere' })
  minorWithoutGuardianContact!: boolean;
  @ApiProperty({ enum: CHANNELS, isArray: true, description: "The guardian's channels for a minor with one" })
  reachableBy!: string[];
}

export class StoredSubjectDto extends SubjectDto {
  @ApiProperty({ type: DerivedDto }) derived!: DerivedDto;
  @ApiProperty({ description: 'Encryption key of the stored contact data' }) keyId!: string;
  @ApiProperty() storedAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class SubjectListDto {
  @ApiProperty({ type: [StoredSubjectDto] }) items!: StoredSubjectDto[];
}

export class ImportQueryDto {
  @ApiPropertyOptional({
    enum: IMPORT_FORMATS,
    description: 'Overrides the Content-Type (application/x-ndjson or text/csv)',
  })
  @IsOptional()
  @IsIn(IMPORT_FORMATS)
  format?: ImportFormat;
}

export class ImportRejectionDto {
  @ApiProperty({ description: 'Line number in the file (1 is the first line; a CSV header is line 1)' })
  line!: number;
  @ApiProperty({ example: 'phone' }) field!: string;
  @ApiProperty({ example: 'isPhoneNumber' }) rule!: string;
  @ApiProperty() message!: string;
}

export class ImportRejectionPageDto {
  @ApiProperty({ type: [ImportRejectionDto] }) items!: ImportRejectionDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ImportDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: IMPORT_FORMATS }) format!: string;
  @ApiProperty({ enum: ['receiving', 'queued', 'running', 'completed', 'failed'] }) status!: string;
  @ApiProperty({ description: 'Size of the upload' }) bytes!: number;
  @ApiProperty({
    description:
      'Share of the file processed, 0 to 1; 0 while the file is still arriving (its size is not known yet), though lines are already being imported',
  })
  progress!: number;
  @ApiProperty({ description: 'Lines processed and committed' }) lines!: number;
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty({ description: 'Lines refused' }) rejected!: number;
  @ApiProperty({
    type: [ImportRejectionDto],
    description: `The first rejections (the rest at /rejections); up to 10,000 are kept per import`,
  })
  rejections!: ImportRejectionDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Cursor for /rejections after these' })
  rejectionsNextCursor!: string | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}
