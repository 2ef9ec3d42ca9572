namespace ReviewHub.Health;

public sealed record HealthCheck(string Name, string Status, long DurationMs);

public sealed record HealthReport(string Status, string Version, IReadOnlyList<HealthCheck> Checks);
