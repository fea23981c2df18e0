CREATE TABLE "learning_catch_up" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"checked_through" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "answers_answered_at_brin" ON "answers" USING brin ("answered_at");--> statement-breakpoint
CREATE INDEX "practice_answers_answered_at_brin" ON "practice_answers" USING brin ("answered_at");