using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReviewHub.Http;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Operations;

internal sealed class PoisonReplayFunctions(PoisonReplay replay, StorageCatalog catalog)
{
    /// <summary>Operators: replay a queue's poison messages (e.g. POST /api/operators/poison/deliveries/replay after a
    /// channel outage).</summary>
    [OperatorOnly]
    [Function(nameof(ReplayPoisonMessages))]
    public async Task<IActionResult> ReplayPoisonMessages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "operators/poison/{queue}/replay")] HttpRequest req,
        string queue, CancellationToken cancellationToken)
    {
        if (!catalog.Queues.Contains(queue))
        {
            return Problems.NotFound($"No queue named '{queue}'. Known: {string.Join(", ", catalog.Queues)}.");
        }
        var read = await JsonRequest.ReadOptionalAsync<ReplayPoisonRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        var filter = body ?? new ReplayPoisonRequest(null, null);
        return new OkObjectResult(await replay.ReplayAsync(queue, filter.AppId, filter.MaxMessages ?? 1000,
            cancellationToken));
    }
}
