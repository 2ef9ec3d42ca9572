using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>
/// A developer response as the fake keeps it; <paramref name="PublishAt"/>: when Apple's moderation approves it, if
/// scheduled.
/// </summary>
public sealed record FakeReviewResponse(
    string Id, string ReviewId, string ResponseBody, string State, DateTimeOffset LastModifiedDate,
    DateTimeOffset? PublishAt = null);

/// <summary>
/// customerReviewResponses (spec 4.4.1): POST creates the review's response or overwrites the one it has (201, state
/// PENDING_PUBLISH), GET and DELETE take the response id (200 / 204, 404 when unknown). Responses can be written to the
/// reviews the fake serves and to seeded ones. Tests play Apple's moderation with <see cref="PublishResponse"/>, or let
/// <see cref="ModerationDelay"/> approve each response some time after it was written (on the fake's clock).
/// </summary>
public sealed partial class FakeAppStoreConnect
{
    private readonly ConcurrentDictionary<string, bool> repliableReviews = new();
    private readonly ConcurrentDictionary<string, FakeReviewResponse> responsesById = new();

    /// <summary>
    /// When set, Apple's moderation approves every response written from now on this long after it was written (per
    /// review id: a simulation draws the delay, up to 12 h); the response reads PENDING_PUBLISH until then and
    /// PUBLISHED after.
    /// </summary>
    public Func<string, TimeSpan>? ModerationDelay { get; set; }

    /// <summary>Makes a review id known, so responses to it can be created.</summary>
    public void SeedReviewForResponses(string reviewId) => repliableReviews[reviewId] = true;

    /// <summary>The response a review has now, if any.</summary>
    public FakeReviewResponse? ResponseForReview(string reviewId) =>
        responsesById.Values.SingleOrDefault(r => r.ReviewId == reviewId) is { } response ? Moderated(response) : null;

    /// <summary>The response as Apple shows it now: approved once its moderation delay has passed.</summary>
    private FakeReviewResponse Moderated(FakeReviewResponse response) =>
        response is { State: "PENDING_PUBLISH", PublishAt: { } at } && at <= Clock.GetUtcNow()
            ? response with { State = "PUBLISHED", PublishAt = null }
            : response;

    /// <summary>Apple's moderation approves the review's response: it turns PUBLISHED.</summary>
    public void PublishResponse(string reviewId)
    {
        var response = ResponseForReview(reviewId) ?? throw new InvalidOperationException(
            $"Review {reviewId} has no response.");
        responsesById[response.Id] = response with { State = "PUBLISHED" };
    }

    /// <summary>Someone removes the response in App Store Connect's UI.</summary>
    public void RemoveResponse(string reviewId)
    {
        if (ResponseForReview(reviewId) is { } response)
        {
            responsesById.TryRemove(response.Id, out _);
        }
    }

    partial void MapResponses(WebApplication app)
    {
        app.MapPost("/v1/customerReviewResponses", CreateOrReplaceResponseAsync);
        app.MapGet("/v1/customerReviewResponses/{id}", (HttpContext context, string id) =>
            responsesById.TryGetValue(id, out var response)
                ? WriteAsync(context, 200, ResponseDocument(context, Moderated(response)))
                : WriteAsync(context, 404, ResponseNotFoundBody("customerReviewResponses", id)));
        app.MapDelete("/v1/customerReviewResponses/{id}", (HttpContext context, string id) =>
        {
            if (!responsesById.TryRemove(id, out _))
            {
                return WriteAsync(context, 404, ResponseNotFoundBody("customerReviewResponses", id));
            }
            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
    }

    private async Task CreateOrReplaceResponseAsync(HttpContext context)
    {
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            context.Response.StatusCode = 415;
            return;
        }
        JsonNode? request;
        try
        {
            request = await JsonNode.ParseAsync(context.Request.Body);
        }
        catch (JsonException)
        {
            await WriteAsync(context, 400, ErrorBody(400, "ENTITY_INVALID", "The provided entity is invalid.",
                "The request body is not valid JSON."));
            return;
        }

        // Required by CustomerReviewResponseV1CreateRequest: data.type, data.attributes.responseBody,
        // data.relationships.review.data{type,id}.
        var data = request?["data"];
        var body = data?["attributes"]?["responseBody"]?.GetValue<string>();
        var review = data?["relationships"]?["review"]?["data"];
        var reviewId = review?["id"]?.GetValue<string>();
        if (data?["type"]?.GetValue<string>() != "customerReviewResponses" || review?["type"]?.GetValue<string>() !=
            "customerReviews"
            || reviewId is null || body is null)
        {
            await WriteAsync(context, 409, ErrorBody(409, "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
                "The provided entity is missing a required field.",
                "You must provide a value for 'type', 'responseBody' and the review relationship."));
            return;
        }
        if (!repliableReviews.ContainsKey(reviewId))
        {
            await WriteAsync(context, 404, ResponseNotFoundBody("customerReviews", reviewId));
            return;
        }

        // One response per review: a POST overwrites it (same id) and sends it back to moderation.
        var id = ResponseForReview(reviewId)?.Id ?? Guid.NewGuid().ToString();
        var now = Clock.GetUtcNow();
        var publishAt = now + ModerationDelay?.Invoke(reviewId);
        var response = new FakeReviewResponse(id, reviewId, body, "PENDING_PUBLISH", now, publishAt);
        responsesById[id] = response;
        context.Response.Headers.Location = $"{BaseAddress}v1/customerReviewResponses/{id}";
        await WriteAsync(context, 201, ResponseDocument(context, response));
    }

    private string ResponseDocument(HttpContext context, FakeReviewResponse response) => JsonSerializer.Serialize(new
    {
        data = new
        {
            type = "customerReviewResponses",
            id = response.Id,
            attributes = new { responseBody = response.ResponseBody, lastModifiedDate = response.LastModifiedDate,
                state = response.State },
            relationships = new { review = new { data = new { type = "customerReviews", id = response.ReviewId } } },
            links = new { self = $"{BaseAddress}v1/customerReviewResponses/{response.Id}" },
        },
        links = new { self = $"{BaseAddress}{context.Request.Path.Value!.TrimStart('/')}" },
    });

    private static string ResponseNotFoundBody(string type, string id) => ErrorBody(404, "NOT_FOUND",
        "The specified resource does not exist",
        $"There is no resource of type '{type}' with id '{id}'");
}
