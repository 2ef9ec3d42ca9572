namespace ReviewHub.Health;

internal sealed record HealthCheck(string Name, string Status, long DurationMs);

internal sealed record HealthReport(string Status, string Version, IReadOnlyList<HealthCheck> Checks);
