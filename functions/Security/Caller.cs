using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Storage;

namespace ReviewHub.Security;

/// <summary>The signed-in person behind a request, as the middleware authenticated them.</summary>
internal sealed record Caller(string UserId, string? Email, bool IsOperator)
{
    /// <summary>The caller of an authenticated request. The middleware guarantees one exists on every non-public
    /// endpoint.</summary>
    public static Caller From(HttpRequest request) =>
        From(request.HttpContext.User, request.HttpContext.RequestServices
            .GetRequiredService<IOptions<AuthenticationOptions>>().Value.OperatorRole)
        ?? throw new InvalidOperationException(
        "No authenticated caller: the endpoint is public or the middleware did not run.");

    /// <summary>
    /// The caller a validated token describes, or null when it names no usable user (the id becomes a table key).
    /// Operator status comes only from the <c>roles</c> claim the identity provider issues for the app role
    /// <paramref name="operatorRole"/>; no other claim a token might carry can grant it.
    /// </summary>
    public static Caller? From(ClaimsPrincipal principal, string operatorRole)
    {
        // Entra ID: "oid" is the stable object id across apps; locally minted tokens may carry only "sub".
        var userId = principal.FindFirst("oid")?.Value ?? principal.FindFirst("sub")?.Value;
        if (!TableKeys.IsValid(userId))
        {
            return null;
        }
        var email = principal.FindFirst("email")?.Value ?? principal.FindFirst("preferred_username")?.Value;
        return new Caller(userId!, email, principal.HasClaim(RoleClaim, operatorRole));
    }

    /// <summary>The claim Entra ID puts app roles in (validated tokens are read without claim-type mapping).</summary>
    public const string RoleClaim = "roles";
}
