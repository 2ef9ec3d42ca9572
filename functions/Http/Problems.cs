using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ReviewHub.Http;

/// <summary>RFC 7807 problem details for every error the HTTP API returns.</summary>
internal static class Problems
{
    public static ObjectResult Create(int status, string title, string? detail = null, string? type = null) =>
        Result(new ProblemDetails { Status = status, Title = title, Detail = detail, Type = type ?? TypeFor(status) });

    public static ObjectResult BadRequest(string detail) =>
        Create(StatusCodes.Status400BadRequest, "The request is not valid.", detail);

    /// <summary>400 with field errors; when some were left out, <c>totalErrors</c> says how many there were.</summary>
    public static ObjectResult Validation(ValidationErrors errors)
    {
        var problem = new ValidationProblemDetails(errors.ToDictionary())
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more fields are not valid.",
            Type = TypeFor(StatusCodes.Status400BadRequest),
        };
        if (errors.Omitted > 0)
        {
            problem.Extensions["totalErrors"] = errors.Count;
        }
        return Result(problem);
    }

    public static ObjectResult Unauthorized(string detail) =>
        Create(StatusCodes.Status401Unauthorized, "Authentication is required.", detail);

    public static ObjectResult Forbidden(string detail) =>
        Create(StatusCodes.Status403Forbidden, "Not allowed.", detail);

    public static ObjectResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found.", detail);

    public static ObjectResult Conflict(string detail, string? type = null) =>
        Create(StatusCodes.Status409Conflict, "The request conflicts with the current state.", detail, type);

    /// <summary>429 with <c>Retry-After</c> (whole seconds) set on the response.</summary>
    public static ObjectResult TooManyRequests(HttpContext context, TimeSpan retryAfter, string detail)
    {
        var seconds = (int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(StatusCodes.Status429TooManyRequests, "Too many requests.", detail, RateLimitedType);
    }

    public const string RateLimitedType = "https://reviewhub.app/problems/rate-limited";

    public static ObjectResult Unavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable.", detail);

    private static ObjectResult Result(ProblemDetails problem) => new(problem)
    {
        StatusCode = problem.Status,
        ContentTypes = { "application/problem+json" },
    };

    private static string TypeFor(int status) => $"https://httpstatuses.io/{status}";
}
