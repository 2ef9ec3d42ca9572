using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>Why a connection in force is degraded: what the health check (or a refused call) found.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConnectionProblem>))]
internal enum ConnectionProblem
{
    /// <summary>401: the key was revoked or deleted (also: the user it belonged to was removed).</summary>
    KeyRevoked,
    /// <summary>403 FORBIDDEN_ERROR for the key, before a check could say more.</summary>
    KeyForbidden,
    /// <summary>The key works, but the integration user is no longer in the team.</summary>
    UserRemoved,
    /// <summary>The integration user lost roles the kind in force needs.</summary>
    RolesReduced,
    /// <summary>The key no longer sees the app (its access to the app was removed).</summary>
    AppAccessRemoved,
}
