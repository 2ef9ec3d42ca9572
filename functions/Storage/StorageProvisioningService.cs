using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ReviewHub.Storage;

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
