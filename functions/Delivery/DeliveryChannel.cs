namespace ReviewHub.Delivery;

public enum DeliveryChannel { Slack, Email, Zendesk, Webhook }
