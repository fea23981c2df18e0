CREATE TABLE "answer_totals" (
	"channel_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"period_start" date NOT NULL,
	"user_id" uuid NOT NULL,
	"answered" integer NOT NULL,
	"correct" integer NOT NULL,
	"points" integer NOT NULL,
	CONSTRAINT "answer_totals_channel_id_grain_period_start_user_id_pk" PRIMARY KEY("channel_id","grain","period_start","user_id")
) PARTITION BY LIST ("grain");
--> statement-breakpoint
-- One partition per grain, so a board of all time reads a table of one row per person and channel,
-- not rows scattered among the weeks and months. (Added by hand: drizzle-kit does not model partitions.)
CREATE TABLE "answer_totals_all" PARTITION OF "answer_totals" FOR VALUES IN ('all');
--> statement-breakpoint
CREATE TABLE "answer_totals_week" PARTITION OF "answer_totals" FOR VALUES IN ('week');
--> statement-breakpoint
CREATE TABLE "answer_totals_month" PARTITION OF "answer_totals" FOR VALUES IN ('month');
--> statement-breakpoint
ALTER TABLE "answer_totals" ADD CONSTRAINT "answer_totals_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answer_totals" ADD CONSTRAINT "answer_totals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "answer_totals_user_idx" ON "answer_totals" USING btree ("user_id");