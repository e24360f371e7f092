-- PostgreSQL roles of exitentry (run by scripts/postgres_roles.sh, which documents them).
-- Reads the settings exitentry.owner, exitentry.app, exitentry.append_only (space-separated
-- table names) and exitentry.pattern (a regular expression of append-only table names).
DO $$
DECLARE
    owner_role text := current_setting('exitentry.owner');
    app_role text := current_setting('exitentry.app');
    listed text[] := string_to_array(current_setting('exitentry.append_only'), ' ');
    pattern text := current_setting('exitentry.pattern');
    t record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = owner_role) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', owner_role);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app_role) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', app_role);
    END IF;
    -- The application's role owns nothing, is no superuser, and cannot create objects.
    EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', app_role);
    EXECUTE format('ALTER SCHEMA public OWNER TO %I', owner_role);
    EXECUTE format('REVOKE CREATE ON SCHEMA public FROM PUBLIC, %I', app_role);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);
    FOR t IN SELECT c.relname, c.relkind FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v')
    LOOP
        -- Sequences follow the table that owns them.
        IF t.relkind <> 'S' THEN
            EXECUTE format('ALTER %s public.%I OWNER TO %I',
                CASE t.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, t.relname, owner_role);
        END IF;
        IF t.relkind = 'S' THEN
            EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE public.%I TO %I', t.relname, app_role);
            CONTINUE;
        END IF;
        EXECUTE format('REVOKE ALL ON public.%I FROM %I', t.relname, app_role);
        IF t.relname = ANY (listed) OR t.relname ~ pattern THEN
            EXECUTE format('GRANT SELECT, INSERT ON public.%I TO %I', t.relname, app_role);
        ELSE
            -- Never TRUNCATE: the application empties no table.
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO %I',
                           t.relname, app_role);
        END IF;
    END LOOP;
    -- Functions (the append-only triggers') belong to the owner too.
    FOR t IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', t.signature, owner_role);
    END LOOP;
END
$$;
