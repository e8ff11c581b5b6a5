using System.Text.Json.Serialization;
using Wharf.Core.Events;

namespace Wharf.Metadata;

/// <summary>How an event is kept in the outbox's <c>payload</c> column.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegistryEvent))]
internal sealed partial class EventPayloadJson : JsonSerializerContext;
