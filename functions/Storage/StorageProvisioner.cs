using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ReviewHub.Storage;

/// <summary>Creates the app's tables and queues (and their poison queues) if they do not exist yet.</summary>
public sealed class StorageProvisioner(TableServiceClient tables, QueueServiceClient queues)
{
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var work = TableNames.All.Select(name => tables.CreateTableIfNotExistsAsync(name, cancellationToken) as Task)
            .Concat(QueueNames.All.SelectMany(name => new[] { name, QueueNames.Poison(name) })
                .Select(name =>
                queues.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        await Task.WhenAll(work);
    }
}

/// <summary>Provisions storage when the worker starts, so the first request does not pay for it.</summary>
internal sealed class StorageProvisioningService(StorageProvisioner provisioner,
    ILogger<StorageProvisioningService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await provisioner.EnsureCreatedAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Storage being briefly unreachable must not stop the worker; the health endpoint reports it.
            logger.LogError(ex, "Provisioning tables and queues failed");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
