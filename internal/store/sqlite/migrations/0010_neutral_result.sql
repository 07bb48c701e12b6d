-- The order's result becomes vendor-neutral (core.Result, one JSON column);
-- the built-in engine keeps its own record (its outcome and the answers) in
-- engine_results. Existing results are mapped as the engine maps them now:
-- the overall score on its scale, one component per indicator on 0–100.
CREATE TABLE engine_results (
    order_id TEXT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    outcome  TEXT NOT NULL,
    answers  TEXT NOT NULL
) STRICT;

INSERT INTO engine_results (order_id, outcome, answers) SELECT order_id, outcome, answers FROM results;

ALTER TABLE results ADD COLUMN result TEXT NOT NULL DEFAULT '{}';

UPDATE results SET result = json_object(
    'score', json_object(
        'value', json_extract(outcome, '$.score'),
        'min', json_extract(outcome, '$.min'),
        'max', json_extract(outcome, '$.max')),
    'label', json_extract(outcome, '$.label'),
    'summary', json_extract(outcome, '$.summary'),
    -- json() keeps the subquery's array JSON rather than a quoted string.
    'components', json((
        SELECT json_group_array(json_object(
            'key', json_extract(i.value, '$.key'),
            'name', json_extract(i.value, '$.name'),
            'score', json_object('value', json_extract(i.value, '$.score'), 'min', 0, 'max', 100),
            'label', json_extract(i.value, '$.label')))
        FROM json_each(results.outcome, '$.indicators') AS i
        WHERE json_type(results.outcome, '$.indicators') = 'array')));

ALTER TABLE results DROP COLUMN outcome;
ALTER TABLE results DROP COLUMN answers;
