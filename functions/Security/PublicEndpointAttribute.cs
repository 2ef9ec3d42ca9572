namespace ReviewHub.Security;

/// <summary>Marks an HTTP function that anyone may call (health, the API description).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PublicEndpointAttribute : Attribute;
