CREATE TABLE "workspace_totals" (
	"workspace_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"period_start" date NOT NULL,
	"user_id" uuid NOT NULL,
	"answered" integer NOT NULL,
	"correct" integer NOT NULL,
	"points" integer NOT NULL,
	CONSTRAINT "workspace_totals_user_id_workspace_id_grain_period_start_pk" PRIMARY KEY("user_id","workspace_id","grain","period_start")
);
--> statement-breakpoint
ALTER TABLE "workspace_totals" ADD CONSTRAINT "workspace_totals_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workspace_totals" ADD CONSTRAINT "workspace_totals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workspace_totals_board_idx" ON "workspace_totals" USING btree ("workspace_id","grain","period_start","points" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "answer_totals_board_idx" ON "answer_totals" USING btree ("channel_id","grain","period_start","points" DESC NULLS FIRST);--> statement-breakpoint
-- workspace_totals, recounted: each person's answer_totals rows summed over the channels of a workspace.
-- (The functions and the backfill below are written by hand: drizzle-kit does not model them.)
CREATE FUNCTION workspace_totals_recount()
RETURNS TABLE (workspace_id uuid, grain text, period_start date, user_id uuid, answered integer, correct integer, points integer)
LANGUAGE sql STABLE AS $$
  SELECT c.workspace_id, t.grain, t.period_start, t.user_id,
         sum(t.answered)::int, sum(t.correct)::int, sum(t.points)::int
  FROM answer_totals_recount() t
  JOIN channels c ON c.id = t.channel_id
  GROUP BY c.workspace_id, t.grain, t.period_start, t.user_id
$$;
--> statement-breakpoint
-- The triggers of 0007, now keeping both tables: answer_totals first, then workspace_totals, each in
-- key order, in separate statements, so every writer locks rows in one order and none waits in a circle.
CREATE OR REPLACE FUNCTION answer_totals_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    WITH gone AS (
      SELECT p.channel_id, g.grain, g.period_start, o.user_id,
             count(*)::int AS answered, count(*) FILTER (WHERE o.correct)::int AS correct,
             coalesce(sum(o.points), 0)::int AS points
      FROM old_answers o
      JOIN posts p ON p.id = o.post_id
      JOIN channels c ON c.id = p.channel_id
      CROSS JOIN LATERAL (VALUES
        ('all', date '1970-01-01'),
        ('week', date_trunc('week', o.answered_at AT TIME ZONE c.timezone)::date),
        ('month', date_trunc('month', o.answered_at AT TIME ZONE c.timezone)::date)
      ) AS g (grain, period_start)
      GROUP BY p.channel_id, g.grain, g.period_start, o.user_id
    )
    UPDATE answer_totals t
    SET answered = t.answered - gone.answered, correct = t.correct - gone.correct, points = t.points - gone.points
    FROM gone
    WHERE t.channel_id = gone.channel_id AND t.grain = gone.grain
      AND t.period_start = gone.period_start AND t.user_id = gone.user_id;
    DELETE FROM answer_totals t
    WHERE t.answered <= 0
      AND (t.channel_id, t.user_id) IN (
        SELECT p.channel_id, o.user_id FROM old_answers o JOIN posts p ON p.id = o.post_id);
    WITH gone AS (
      SELECT c.workspace_id, g.grain, g.period_start, o.user_id,
             count(*)::int AS answered, count(*) FILTER (WHERE o.correct)::int AS correct,
             coalesce(sum(o.points), 0)::int AS points
      FROM old_answers o
      JOIN posts p ON p.id = o.post_id
      JOIN channels c ON c.id = p.channel_id
      CROSS JOIN LATERAL (VALUES
        ('all', date '1970-01-01'),
        ('week', date_trunc('week', o.answered_at AT TIME ZONE c.timezone)::date),
        ('month', date_trunc('month', o.answered_at AT TIME ZONE c.timezone)::date)
      ) AS g (grain, period_start)
      GROUP BY c.workspace_id, g.grain, g.period_start, o.user_id
    )
    UPDATE workspace_totals t
    SET answered = t.answered - gone.answered, correct = t.correct - gone.correct, points = t.points - gone.points
    FROM gone
    WHERE t.workspace_id = gone.workspace_id AND t.grain = gone.grain
      AND t.period_start = gone.period_start AND t.user_id = gone.user_id;
    DELETE FROM workspace_totals t
    WHERE t.answered <= 0
      AND (t.workspace_id, t.user_id) IN (
        SELECT c.workspace_id, o.user_id FROM old_answers o
        JOIN posts p ON p.id = o.post_id JOIN channels c ON c.id = p.channel_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO answer_totals AS t (channel_id, grain, period_start, user_id, answered, correct, points)
    SELECT p.channel_id, g.grain, g.period_start, n.user_id,
           count(*)::int, count(*) FILTER (WHERE n.correct)::int, coalesce(sum(n.points), 0)::int
    FROM new_answers n
    JOIN posts p ON p.id = n.post_id
    JOIN channels c ON c.id = p.channel_id
    CROSS JOIN LATERAL (VALUES
      ('all', date '1970-01-01'),
      ('week', date_trunc('week', n.answered_at AT TIME ZONE c.timezone)::date),
      ('month', date_trunc('month', n.answered_at AT TIME ZONE c.timezone)::date)
    ) AS g (grain, period_start)
    GROUP BY p.channel_id, g.grain, g.period_start, n.user_id
    ORDER BY p.channel_id, g.grain, g.period_start, n.user_id
    ON CONFLICT (channel_id, grain, period_start, user_id) DO UPDATE
    SET answered = t.answered + excluded.answered, correct = t.correct + excluded.correct,
        points = t.points + excluded.points;
    INSERT INTO workspace_totals AS t (workspace_id, grain, period_start, user_id, answered, correct, points)
    SELECT c.workspace_id, g.grain, g.period_start, n.user_id,
           count(*)::int, count(*) FILTER (WHERE n.correct)::int, coalesce(sum(n.points), 0)::int
    FROM new_answers n
    JOIN posts p ON p.id = n.post_id
    JOIN channels c ON c.id = p.channel_id
    CROSS JOIN LATERAL (VALUES
      ('all', date '1970-01-01'),
      ('week', date_trunc('week', n.answered_at AT TIME ZONE c.timezone)::date),
      ('month', date_trunc('month', n.answered_at AT TIME ZONE c.timezone)::date)
    ) AS g (grain, period_start)
    GROUP BY c.workspace_id, g.grain, g.period_start, n.user_id
    ORDER BY c.workspace_id, g.grain, g.period_start, n.user_id
    ON CONFLICT (workspace_id, grain, period_start, user_id) DO UPDATE
    SET answered = t.answered + excluded.answered, correct = t.correct + excluded.correct,
        points = t.points + excluded.points;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Filled from answer_totals, which the triggers keep exact: a year of answers is not read again.
INSERT INTO workspace_totals
SELECT c.workspace_id, t.grain, t.period_start, t.user_id, sum(t.answered)::int, sum(t.correct)::int, sum(t.points)::int
FROM answer_totals t JOIN channels c ON c.id = t.channel_id
GROUP BY c.workspace_id, t.grain, t.period_start, t.user_id
ORDER BY 3, 1, 4;
