using System.Diagnostics.Metrics;

namespace ReviewHub.Delivery;

/// <summary>Custom metrics (meter "ReviewHub.Delivery") for Application Insights, tagged by channel.</summary>
public static class DeliveryMetrics
{
    public static readonly Meter Meter = new("ReviewHub.Delivery");
    public static readonly Counter<long> Delivered = Meter.CreateCounter<long>("reviewhub.delivery.delivered", description: "(review, route) pairs delivered");
    public static readonly Counter<long> Failed = Meter.CreateCounter<long>("reviewhub.delivery.failed", description: "failed channel sends");
    public static readonly Counter<long> Skipped = Meter.CreateCounter<long>("reviewhub.delivery.duplicates_skipped", description: "pairs already delivered or in flight");
    public static readonly Counter<long> RoutesBroken = Meter.CreateCounter<long>("reviewhub.delivery.routes_broken");
}
