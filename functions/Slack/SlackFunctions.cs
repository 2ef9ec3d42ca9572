using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using ReviewHub.Http;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Slack;

/// <summary>
/// Slack's interactivity Request URL (anonymous at the host; Slack's request signature is the authentication), the
/// SPA's "link my Slack user" call, and the queue that updates review messages.
/// </summary>
internal sealed class SlackFunctions(
    SlackInteractions interactions, SlackUserLinkStore links, SlackMessageUpdater updater, TimeProvider clock,
    IOptions<SlackOptions> options)
{
    [Function(nameof(ReceiveSlackInteraction))]
    [PublicEndpoint]
    public async Task<IActionResult> ReceiveSlackInteraction(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "slack/interactivity")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return Problems.NotFound("Replying from Slack is not set up (no Slack signing secret).");
        }
        var body = await ReadAtMostAsync(req, JsonRequest.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
        }
        // Verified over the raw bytes, before anything is parsed.
        if (!SlackSignature.IsValid(settings.SigningSecret!, req.Headers["X-Slack-Request-Timestamp"],
            req.Headers["X-Slack-Signature"], body, clock.GetUtcNow(), settings.RequestMaxAge))
        {
            return Problems.Unauthorized("The request is not signed by Slack, or it is older than 5 minutes.");
        }
        return await HandleFormAsync(body, cancellationToken);
    }

    /// <summary>Slack posts a form whose one field, <c>payload</c>, is the interaction as JSON.</summary>
    private async Task<IActionResult> HandleFormAsync(byte[] body, CancellationToken cancellationToken)
    {
        var form = QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body));
        try
        {
            using var payload = JsonDocument.Parse(form.TryGetValue("payload", out var json) ? json.ToString() : "");
            return payload.RootElement.ValueKind == JsonValueKind.Object
                ? await interactions.HandleAsync(payload.RootElement, cancellationToken)
                : Problems.BadRequest("The payload is not a JSON object.");
        }
        catch (JsonException)
        {
            return Problems.BadRequest("The form has no JSON payload.");
        }
    }

    /// <summary>
    /// Binds the Slack user named by a link ReviewHub sent them (ephemerally, in Slack) to the signed-in caller.
    /// </summary>
    [Function(nameof(LinkSlackUser))]
    public async Task<IActionResult> LinkSlackUser(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "slack-links")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return Problems.NotFound("Replying from Slack is not set up (no Slack signing secret).");
        }
        var read = await JsonRequest.ReadAsync<SlackLinkRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        var claim = new SlackLinkTokens(options.Value.SigningSecret!).Read(body.Token);
        if (claim is not { } link || !TableKeys.IsValid(link.TeamId) || !TableKeys.IsValid(link.SlackUserId))
        {
            return Problems.BadRequest("This is not a link ReviewHub made.");
        }
        if (link.ExpiresAt < clock.GetUtcNow())
        {
            return Problems.Create(StatusCodes.Status410Gone, "The link expired.",
                "Click Reply in Slack again for a new link.");
        }
        var caller = Caller.From(req);
        var saved = await links.LinkAsync(link.TeamId, link.SlackUserId, caller.UserId, cancellationToken);
        return new OkObjectResult(new SlackLinkResponse(saved.PartitionKey, saved.RowKey, saved.UserId,
            saved.LinkedAt));
    }

    [Function(nameof(UpdateSlackMessages))]
    public Task UpdateSlackMessages(
        [QueueTrigger(SlackQueues.SlackMessageUpdates)] SlackMessageUpdate update,
            CancellationToken cancellationToken) =>
        updater.UpdateAsync(update, cancellationToken);

    private static async Task<byte[]?> ReadAtMostAsync(HttpRequest req, int max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await req.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }
            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }
        return buffer.ToArray();
    }
}
