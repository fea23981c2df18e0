CREATE TABLE "practice_handouts" (
	"issue_key" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"question_id" text NOT NULL,
	"question_version" integer NOT NULL,
	"kind" text NOT NULL,
	"handed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "practice_handouts" ADD CONSTRAINT "practice_handouts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "practice_handouts_user_idx" ON "practice_handouts" USING btree ("user_id");