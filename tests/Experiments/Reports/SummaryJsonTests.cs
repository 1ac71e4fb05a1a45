using System.Text.Json;
using Reasoning.Experiments.Reports;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Experiments.Reports;

public sealed class SummaryJsonTests
{
    [Fact]
    public void WritesIndentedCamelCaseJsonThatReadsBack()
    {
        string json = SummaryJson.Write(Summarizer.Summarize(SampleRecords.SmallRun()));

        Assert.DoesNotContain("\r", json);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement search = document.RootElement.GetProperty("strategies")[0];
        Assert.Equal("search", search.GetProperty("label").GetString());
        Assert.Equal(0.85, search.GetProperty("accuracy").GetProperty("pooled").GetDouble());
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("strategies")[1].GetProperty("accuracy").GetProperty("standardDeviationOverSeeds").ValueKind);
        Assert.Equal("abc1234", document.RootElement.GetProperty("environment").GetProperty("machine").GetProperty("gitCommit").GetString());

        Assert.Equal(json, SummaryJson.Write(SummaryJson.Read(json)));
    }
}
