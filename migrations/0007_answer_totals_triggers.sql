-- answer_totals, recounted from the answers themselves: what the triggers below keep up to date,
-- and what the table is filled from here and checked against in the tests.
CREATE FUNCTION answer_totals_recount()
RETURNS TABLE (channel_id uuid, grain text, period_start date, user_id uuid, answered integer, correct integer, points integer)
LANGUAGE sql STABLE AS $$
  SELECT p.channel_id, g.grain, g.period_start, a.user_id,
         count(*)::int, count(*) FILTER (WHERE a.correct)::int, coalesce(sum(a.points), 0)::int
  FROM answers a
  JOIN posts p ON p.id = a.post_id
  JOIN channels c ON c.id = p.channel_id
  CROSS JOIN LATERAL (VALUES
    ('all', date '1970-01-01'),
    ('week', date_trunc('week', a.answered_at AT TIME ZONE c.timezone)::date),
    ('month', date_trunc('month', a.answered_at AT TIME ZONE c.timezone)::date)
  ) AS g (grain, period_start)
  GROUP BY p.channel_id, g.grain, g.period_start, a.user_id
$$;
--> statement-breakpoint
-- One statement-level trigger per event: a group of clicks written by one INSERT costs one more
-- INSERT … ON CONFLICT here, in the same transaction, with no change to the code that records them.
-- Rows are upserted in key order so two writers touching the same totals lock them in one order.
CREATE FUNCTION answer_totals_apply() RETURNS trigger
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
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER answer_totals_on_insert AFTER INSERT ON answers
  REFERENCING NEW TABLE AS new_answers FOR EACH STATEMENT EXECUTE FUNCTION answer_totals_apply();
--> statement-breakpoint
CREATE TRIGGER answer_totals_on_update AFTER UPDATE ON answers
  REFERENCING OLD TABLE AS old_answers NEW TABLE AS new_answers
  FOR EACH STATEMENT EXECUTE FUNCTION answer_totals_apply();
--> statement-breakpoint
CREATE TRIGGER answer_totals_on_delete AFTER DELETE ON answers
  REFERENCING OLD TABLE AS old_answers FOR EACH STATEMENT EXECUTE FUNCTION answer_totals_apply();
--> statement-breakpoint
INSERT INTO answer_totals SELECT * FROM answer_totals_recount() ORDER BY period_start, channel_id, user_id;
