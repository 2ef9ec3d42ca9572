using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace ReviewHub.Storage;

/// <summary>Creates the app's tables and queues (and their poison queues) if they do not exist yet.</summary>
internal sealed class StorageProvisioner(TableServiceClient tables, QueueServiceClient queues, StorageCatalog catalog)
{
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var work = catalog.Tables.Select(name => tables.CreateTableIfNotExistsAsync(name, cancellationToken) as Task)
            .Concat(catalog.Queues.SelectMany(name => new[] { name, PoisonQueues.NameFor(name) })
                .Select(name =>
                queues.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        await Task.WhenAll(work);
    }
}
