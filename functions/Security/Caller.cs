using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Security;

/// <summary>The signed-in person behind a request, as the middleware authenticated them.</summary>
public sealed record Caller(string UserId, string? Email, bool IsOperator)
{
    internal const string OperatorClaim = "reviewhub:operator";

    /// <summary>The caller of an authenticated request. The middleware guarantees one exists on every non-public endpoint.</summary>
    public static Caller From(HttpRequest request) => From(request.HttpContext.User)
        ?? throw new InvalidOperationException("No authenticated caller: the endpoint is public or the middleware did not run.");

    public static Caller? From(ClaimsPrincipal principal)
    {
        // Entra ID: "oid" is the stable object id across apps; locally minted tokens may carry only "sub".
        var userId = principal.FindFirst("oid")?.Value ?? principal.FindFirst("sub")?.Value;
        if (string.IsNullOrEmpty(userId))
        {
            return null;
        }
        var email = principal.FindFirst("email")?.Value ?? principal.FindFirst("preferred_username")?.Value;
        return new Caller(userId, email, principal.HasClaim(OperatorClaim, "true"));
    }
}
