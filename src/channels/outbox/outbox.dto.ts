import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { CHANNELS, type Channel } from '../channel.port.js';

export class OutboxQueryDto {
  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ description: 'Messages older than this id (the previous page’s nextBefore)' })
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'before must be a message id' })
  before?: string;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Matches(/^([1-9]\d{0,1}|[1-4]\d\d|500)$/, { message: 'limit must be a whole number from 1 to 500' })
  limit?: string;
}

export class OutboxMessageDto {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: CHANNELS }) channel!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'The campaign message it carries' })
  messageId!: number | null;
  @ApiProperty({
    description: 'What would have been sent: to, subject, html, text / to, body / token, title, body, data',
  })
  content!: Record<string, unknown>;
  @ApiProperty() createdAt!: string;
}

export class OutboxPageDto {
  @ApiProperty({ type: [OutboxMessageDto] }) items!: OutboxMessageDto[];
  @ApiProperty({ nullable: true, type: Number }) nextBefore!: number | null;
}
