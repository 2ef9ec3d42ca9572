using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ReviewHub.Storage;

namespace ReviewHub.Http;

/// <summary>
/// What an HTTP caller gets for an exception no function handled: conditions worth retrying as 409 or 503, anything
/// else as an opaque 500. Never the exception's text: it may describe infrastructure.
/// </summary>
internal static class UnhandledExceptions
{
    public static ObjectResult ToProblem(Exception exception) => exception switch
    {
        ConcurrencyConflictException =>
            Problems.Conflict("Another request changed the same data at the same time; retry the request."),
        RequestFailedException or HttpRequestException or TimeoutException or OperationCanceledException =>
            Problems.Unavailable("A service ReviewHub depends on did not answer in time; retry shortly."),
        _ => Problems.Create(StatusCodes.Status500InternalServerError, "Unexpected error.",
            "The error was logged. Retry, or contact support with the time of the request."),
    };
}
