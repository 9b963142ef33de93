ALTER TABLE "reports" ALTER COLUMN "form" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "language" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "content" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "sha256" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "late" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "error" text;