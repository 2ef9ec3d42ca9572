using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Integrations;

namespace ReviewHub.Tests.Infrastructure;

/// <summary>
/// Seeds a connection that serves one app, as a verified setup leaves it: the row (tests use the app id as the
/// connection id, so code keyed by either finds it) and the app's link to it.
/// </summary>
internal static class TestConnections
{
    public static async Task<IntegrationEntity> SaveAsync(IServiceProvider services, IntegrationEntity connection,
        string? appId = null)
    {
        appId ??= connection.RowKey;
        var app = await services.GetRequiredService<ReviewHub.Apps.AppStore>().GetAsync(connection.PartitionKey,
            appId, CancellationToken.None);
        await services.GetRequiredService<IntegrationStore>().Table.UpsertEntityAsync(connection,
            TableUpdateMode.Replace);
        await services.GetRequiredService<ConnectionAppStore>().LinkAsync(connection.PartitionKey,
            connection.RowKey, appId, app?.StoreAppId ?? string.Empty, CancellationToken.None);
        return connection.ForApp(appId);
    }
}
