namespace ReviewHub.Security;

/// <summary>Marks an HTTP function only the product's operators (support staff) may call.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class OperatorOnlyAttribute : Attribute;
