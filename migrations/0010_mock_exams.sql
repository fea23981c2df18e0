CREATE TABLE "mock_exam_items" (
	"mock_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"question_id" text NOT NULL,
	"question_version" integer NOT NULL,
	"domain" smallint NOT NULL,
	"choice" jsonb,
	"correct" boolean,
	"answered_at" timestamp with time zone,
	"flagged" boolean DEFAULT false NOT NULL,
	"skipped" boolean DEFAULT false NOT NULL,
	"revisited" boolean DEFAULT false NOT NULL,
	CONSTRAINT "mock_exam_items_mock_id_position_pk" PRIMARY KEY("mock_id","position")
);
--> statement-breakpoint
CREATE TABLE "mock_exams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"phase" text DEFAULT 'first' NOT NULL,
	"position" smallint DEFAULT 0 NOT NULL,
	"size" smallint NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"score" smallint,
	"report_seen" boolean DEFAULT false NOT NULL,
	"revision" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mock_exam_items" ADD CONSTRAINT "mock_exam_items_mock_id_mock_exams_id_fk" FOREIGN KEY ("mock_id") REFERENCES "public"."mock_exams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mock_exam_items" ADD CONSTRAINT "mock_exam_items_question_version_fk" FOREIGN KEY ("question_id","question_version") REFERENCES "public"."question_versions"("question_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mock_exams" ADD CONSTRAINT "mock_exams_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mock_exam_items_question_idx" ON "mock_exam_items" USING btree ("question_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mock_exams_one_running_uq" ON "mock_exams" USING btree ("user_id") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "mock_exams_user_idx" ON "mock_exams" USING btree ("user_id","started_at");--> statement-breakpoint
CREATE INDEX "mock_exams_running_ends_idx" ON "mock_exams" USING btree ("ends_at") WHERE status = 'running';