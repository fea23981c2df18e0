CREATE TABLE "digest_charts" (
	"key" text PRIMARY KEY NOT NULL,
	"channel_id" uuid NOT NULL,
	"workspace" text NOT NULL,
	"week" text NOT NULL,
	"message_ref" jsonb NOT NULL,
	"owed_since" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'owed' NOT NULL,
	"lease_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"detail" text,
	"settled_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "digest_charts" ADD CONSTRAINT "digest_charts_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "digest_charts_owed_idx" ON "digest_charts" USING btree ("owed_since") WHERE "digest_charts"."status" = 'owed';