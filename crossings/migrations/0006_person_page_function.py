"""crossings_person_page(): a page of a person's crossings in one call, on PostgreSQL.

A page reads only the months that hold the person's crossings (CrossingMonth), newest first, one
partition at a time, until it has the rows it needs. Done from Python that was two round trips
and a UNION ALL of one branch per month, which PostgreSQL planned afresh on every request (each
person's months differ): 2-3 ms of planning for 0.1-0.4 ms of execution (docs/benchmarks.md
"Crossings"). Inside this function each read is one fixed statement whose generic plan is kept
for the session (plan_cache_mode, set for the function only) and pruned to the one partition of
its month when it starts. SQLite has one table and reads it in one plain statement
(crossings.selectors).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION crossings_person_page(
    p_person bigint,
    p_start timestamptz,
    p_upper timestamptz,
    p_moment timestamptz,
    p_last_id bigint,
    p_document bigint,
    p_wanted integer
) RETURNS SETOF crossings_crossing
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    month_first date;
    need integer := p_wanted;
    found_rows integer;
BEGIN
    -- The person's crossings with p_start <= occurred_at < p_upper, strictly before
    -- (p_moment, p_last_id), on p_document if not NULL; at most p_wanted, newest first.
    FOR month_first IN
        SELECT m.month FROM crossings_crossingmonth m
        WHERE m.person_id = p_person
          AND m.month >= date_trunc('month', p_start AT TIME ZONE 'UTC')::date
          AND m.month <= date_trunc('month', (p_upper AT TIME ZONE 'UTC') - interval '1 microsecond')::date
        ORDER BY m.month DESC
    LOOP
        RETURN QUERY
            SELECT * FROM crossings_crossing c
            WHERE c.person_id = p_person
              AND c.occurred_at >= greatest(month_first::timestamp AT TIME ZONE 'UTC', p_start)
              AND c.occurred_at < least(
                  (month_first + interval '1 month')::timestamp AT TIME ZONE 'UTC', p_upper)
              AND (c.occurred_at < p_moment OR (c.occurred_at = p_moment AND c.id < p_last_id))
              AND (p_document IS NULL OR c.document_id = p_document)
            ORDER BY c.occurred_at DESC, c.id DESC
            LIMIT need;
        GET DIAGNOSTICS found_rows = ROW_COUNT;
        need := need - found_rows;
        EXIT WHEN need <= 0;
    END LOOP;
END
$$
"""
DROP = (
    "DROP FUNCTION IF EXISTS crossings_person_page("
    "bigint, timestamptz, timestamptz, timestamptz, bigint, bigint, integer)"
)


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("crossings", "0005_crossing_month_fillfactor")]

    operations = [migrations.RunPython(create_function, drop_function, elidable=False)]
