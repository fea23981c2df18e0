ALTER TABLE "slack_installations" ALTER COLUMN "installation" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "slack_installations" ADD COLUMN "sealed" text;--> statement-breakpoint
ALTER TABLE "slack_installations" ADD COLUMN "key_id" text;