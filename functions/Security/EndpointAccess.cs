using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ReviewHub.Http;

namespace ReviewHub.Security;

/// <summary>
/// Decides whether a request may reach an HTTP function: public endpoints pass, every other one needs a valid bearer
/// token, and operator endpoints also need the operator role. Shared by the worker middleware and the tests' function
/// host.
/// </summary>
internal sealed class EndpointAccess(BearerTokenValidator validator, IOptions<AuthenticationOptions> options)
{
    private static readonly ConcurrentDictionary<string, MethodInfo?> EntryPoints = new();

    /// <summary>Returns null when the request may proceed (and sets the caller on the context), else the problem to
    /// answer.</summary>
    public async Task<IActionResult?> AuthorizeAsync(MethodInfo function, HttpContext context)
    {
        if (function.IsDefined(typeof(PublicEndpointAttribute)))
        {
            return null;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Challenge(context, Problems.Unauthorized("Send a bearer token in the Authorization header."));
        }

        var principal = await validator.ValidateAsync(header["Bearer ".Length..].Trim());
        var caller = principal is null ? null : Caller.From(principal, options.Value.OperatorRole);
        if (caller is null)
        {
            return Challenge(context,
                Problems.Unauthorized("The bearer token is missing, expired or not valid for this API."));
        }
        context.User = principal!;

        if (function.IsDefined(typeof(OperatorOnlyAttribute)) && !caller.IsOperator)
        {
            return Problems.Forbidden("This endpoint is for ReviewHub operators only.");
        }
        return null;
    }

    /// <summary>Finds the method behind a function's entry point ("Namespace.Type.Method") in this assembly.</summary>
    public static MethodInfo? ResolveEntryPoint(string entryPoint) => EntryPoints.GetOrAdd(entryPoint, static name =>
    {
        var split = name.LastIndexOf('.');
        var type = typeof(EndpointAccess).Assembly.GetType(name[..split]);
        return type?.GetMethod(name[(split + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
    });

    private static IActionResult Challenge(HttpContext context, IActionResult problem)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return problem;
    }
}
