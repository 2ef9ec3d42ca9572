using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>Reads and writes integration rows; other features use <see cref="GetAsync"/> to learn an app's integration.</summary>
public sealed class IntegrationStore(TableServiceClient tables)
{
    private readonly TableClient table = tables.GetTableClient(TableNames.Integrations);

    public TableClient Table => table;

    public async Task<IntegrationEntity?> GetAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<IntegrationEntity>(accountId, appId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }
}
