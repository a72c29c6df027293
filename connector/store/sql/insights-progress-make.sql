-- insights-progress-make: the tenant's insights_progress row, at 0, unless it has one.
-- $1 text   tenant
INSERT INTO insights_progress (tenant) VALUES ($1) ON CONFLICT (tenant) DO NOTHING;
