using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using ReviewHub.Http;

namespace ReviewHub.Security;

/// <summary>Runs <see cref="EndpointAccess"/> before every HTTP-triggered function; other triggers pass
/// untouched.</summary>
internal sealed class AuthenticationMiddleware(EndpointAccess access, ILogger<AuthenticationMiddleware> logger)
    : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var httpContext = context.GetHttpContext();
        if (httpContext is null)
        {
            await next(context);
            return;
        }

        var function = EndpointAccess.ResolveEntryPoint(context.FunctionDefinition.EntryPoint);
        if (function is null)
        {
            // Fail closed: an HTTP function whose access rules cannot be read must not run unauthenticated.
            logger.LogError("No method found for the entry point {EntryPoint} of {FunctionName}",
                context.FunctionDefinition.EntryPoint,
                context.FunctionDefinition.Name);
            await HttpResults.WriteAsync(httpContext, Problems.Create(StatusCodes.Status500InternalServerError,
                "Unexpected error.",
                "The endpoint is misconfigured. The error was logged."));
            return;
        }

        var denied = await access.AuthorizeAsync(function, httpContext);
        if (denied is null)
        {
            await next(context);
            return;
        }
        await HttpResults.WriteAsync(httpContext, denied);
    }
}
