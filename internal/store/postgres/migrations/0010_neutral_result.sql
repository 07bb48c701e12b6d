-- The order's result becomes vendor-neutral (core.Result, one JSON column);
-- the built-in engine keeps its own record (its outcome and the answers) in
-- engine_results. Existing results are mapped as the engine maps them now:
-- the overall score on its scale, one component per indicator on 0–100.
CREATE TABLE engine_results (
    order_id TEXT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    outcome  TEXT NOT NULL,
    answers  TEXT NOT NULL
);

INSERT INTO engine_results (order_id, outcome, answers) SELECT order_id, outcome, answers FROM results;

ALTER TABLE results ADD COLUMN result TEXT NOT NULL DEFAULT '{}';

UPDATE results SET result = jsonb_build_object(
    'score', jsonb_build_object(
        'value', outcome::jsonb -> 'score',
        'min', outcome::jsonb -> 'min',
        'max', outcome::jsonb -> 'max'),
    'label', outcome::jsonb -> 'label',
    'summary', outcome::jsonb -> 'summary',
    'components', COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
            'key', i -> 'key',
            'name', i -> 'name',
            'score', jsonb_build_object('value', i -> 'score', 'min', 0, 'max', 100),
            'label', i -> 'label') ORDER BY n)
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(outcome::jsonb -> 'indicators') = 'array'
            THEN outcome::jsonb -> 'indicators' ELSE '[]'::jsonb END) WITH ORDINALITY AS e (i, n)), '[]'::jsonb))::text;

ALTER TABLE results DROP COLUMN outcome;
ALTER TABLE results DROP COLUMN answers;
