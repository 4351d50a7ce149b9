-- A provider request's slot (src/services/limits/shared-limiter.ts) in one statement, one round trip: the same steps
-- the limiter's transaction took one statement at a time. The account's row lock orders every process's attempts;
-- each statement below takes a fresh snapshot (a volatile function, read committed), so the leases are counted after
-- the lock, with the lease of the attempt it waited for.
-- Returns ('granted', 0), ('wait', ms until the pacer's next slot), ('busy', 0: every concurrent slot is taken) or
-- ('day', ms until the day's count starts again).
CREATE OR REPLACE FUNCTION provider_rate_acquire(
	p_provider text,
	p_account_id text,
	p_spacing_ms bigint,
	p_tolerance_ms bigint,
	p_per_day integer,
	p_concurrent integer,
	p_lease_id uuid,
	p_lease_ms integer,
	OUT outcome text,
	OUT ms bigint
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	now_ms bigint;
	next_ms bigint;
	day_ms bigint;
	counted integer;
	in_flight bigint;
	new_day boolean;
BEGIN
	INSERT INTO provider_rate_limits (provider, account_id) VALUES (p_provider, p_account_id) ON CONFLICT DO NOTHING;
	PERFORM 1 FROM provider_rate_limits WHERE provider = p_provider AND account_id = p_account_id FOR UPDATE;
	SELECT
		floor(extract(epoch from clock_timestamp()) * 1000),
		floor(extract(epoch from r.next_at) * 1000),
		floor(extract(epoch from r.day_started_at) * 1000),
		r.day_count,
		(SELECT count(*) FROM provider_rate_leases l
			WHERE l.provider = r.provider AND l.account_id = r.account_id AND l.expires_at > clock_timestamp())
	INTO now_ms, next_ms, day_ms, counted, in_flight
	FROM provider_rate_limits r
	WHERE r.provider = p_provider AND r.account_id = p_account_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'provider_rate_limits row vanished';
	END IF;
	new_day := now_ms - day_ms >= 86400000;
	IF new_day THEN
		counted := 0;
	END IF;
	IF p_per_day IS NOT NULL AND counted >= p_per_day THEN
		outcome := 'day';
		ms := day_ms + 86400000 - now_ms;
		RETURN;
	END IF;
	IF next_ms - p_tolerance_ms - now_ms > 0 THEN
		outcome := 'wait';
		ms := next_ms - p_tolerance_ms - now_ms;
		RETURN;
	END IF;
	IF p_concurrent IS NOT NULL AND in_flight >= p_concurrent THEN
		outcome := 'busy';
		ms := 0;
		RETURN;
	END IF;
	INSERT INTO provider_rate_leases (id, provider, account_id, expires_at)
	VALUES (p_lease_id, p_provider, p_account_id, clock_timestamp() + p_lease_ms * interval '1 millisecond');
	UPDATE provider_rate_limits SET
		next_at = to_timestamp((greatest(next_ms, now_ms) + p_spacing_ms) / 1000.0),
		day_started_at = CASE WHEN new_day THEN clock_timestamp() ELSE day_started_at END,
		day_count = counted + 1
	WHERE provider = p_provider AND account_id = p_account_id;
	-- Expired leases of dead processes are swept here, a few at a time, so the table stays small.
	DELETE FROM provider_rate_leases WHERE id IN (
		SELECT id FROM provider_rate_leases
		WHERE provider = p_provider AND account_id = p_account_id AND expires_at < clock_timestamp() - interval '1 minute'
		LIMIT 20);
	outcome := 'granted';
	ms := 0;
END;
$$;
