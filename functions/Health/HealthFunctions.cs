using System.Reflection;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Health;

/// <summary>Anonymous liveness and storage reachability for load balancers, the pipeline's smoke test and
/// operators.</summary>
internal sealed class HealthFunctions(TableServiceClient tables, QueueServiceClient queues, StorageCatalog catalog,
    ILogger<HealthFunctions> logger)
{
    public static readonly string Version =
        typeof(HealthFunctions)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    [Function(nameof(Health))]
    [PublicEndpoint]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var checks = await Task.WhenAll(
            CheckAsync("tables", ct => tables.GetTableClient(catalog.Tables[0])
                .QueryPagesAsync<TableEntity>(null, 1, cancellationToken: ct).GetAsyncEnumerator(ct).MoveNextAsync()
                .AsTask(),
                cancellationToken),
            CheckAsync("queues", ct => queues.GetQueueClient(catalog.Queues[0]).GetPropertiesAsync(ct),
            cancellationToken));

        var healthy = checks.All(c => c.Status == "healthy");
        return new ObjectResult(new HealthReport(healthy ? "healthy" : "unhealthy", Version, checks))
        {
            StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
        };
    }

    private async Task<HealthCheck> CheckAsync(string name, Func<CancellationToken, Task> probe,
        CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await probe(timeout.Token);
            return new HealthCheck(name, "healthy",
                (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The reason goes to the log only: the endpoint is anonymous and must not describe the infrastructure.
            logger.LogWarning(ex, "Health check {Check} failed", name);
            return new HealthCheck(name, "unhealthy",
                (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
