using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Reviews;

/// <summary>
/// The last <c>X-Rate-Limit</c> seen for an App Store Connect key (table ApiKeyBudgets, PartitionKey = credential
/// reference, RowKey = "hour"). Every fetch of the key consults it before spending requests. The reference is the
/// connection's (<see cref="Integrations.IntegrationCredentials.SecretName"/>: one key serves every app of an App Store
/// Connect team), so the row is shared by the team's apps and removed when the connection's key is retired
/// (disconnect), not with any one app.
/// </summary>
internal sealed class ApiKeyBudgetEntity : ITableEntity
{
    public const string Row = "hour";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int HourlyLimit { get; set; }
    public int Remaining { get; set; }
    public DateTimeOffset ObservedAt { get; set; }
}
