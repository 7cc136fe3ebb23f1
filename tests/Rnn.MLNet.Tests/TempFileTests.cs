using Microsoft.ML;

namespace RnnMl.MLNet.Tests;

/// <summary>Saves killed before their final move leave <c>.NAME.GUID.rnnml.tmp</c> files (on main <c>.NAME.GUID.tmp</c>,
/// never removed); the next save to the folder removes the library's own stale ones and nothing else.</summary>
public class TempFileTests
{
    [Fact]
    public void SaveRnnModelAndOnnxExport_RemoveStaleTempFilesOfTheLibraryOnly()
    {
        DisposalTests.WithTempFolder(folder =>
        {
            string Guid() => System.Guid.NewGuid().ToString("N");
            var old = DateTime.UtcNow.AddDays(-1);
            string Make(string name, DateTime? time = null)
            {
                var path = Path.Combine(folder, name);
                File.WriteAllText(path, "partial");
                File.SetLastWriteTimeUtc(path, time ?? old);
                return path;
            }
            var stale = new[]
            {
                Make($".model.zip.{Guid()}.rnnml.tmp"), Make($".other.zip.{Guid()}.rnnml.tmp"), Make($".model.onnx.{Guid()}.rnnml.tmp"),
                Make($".model.zip.{Guid()}.tmp"), // the pattern of earlier versions, for the target being saved
            };
            var kept = new[]
            {
                Make($".other.zip.{Guid()}.tmp"),                          // earlier pattern, another target: not provably ours
                Make($".model.zip.{Guid()}.rnnml.tmp", DateTime.UtcNow.AddMinutes(1)), // newer than this process: a save in progress
                Make("notes.tmp"), Make(".model.zip.tmp"), Make($".model.zip.{Guid()}.rnnml.tmp.bak"),
            };

            var ml = new MLContext(seed: 1);
            using var model = DisposalTests.Classifier();
            ml.Model.SaveRnnModel(model, null, Path.Combine(folder, "model.zip"));
            ml.Model.ExportRnnModelToOnnx(model, Path.Combine(folder, "model.onnx"));

            Assert.All(stale, p => Assert.False(File.Exists(p), $"{Path.GetFileName(p)} was not removed"));
            Assert.All(kept, p => Assert.True(File.Exists(p), $"{Path.GetFileName(p)} was removed"));
            var expected = kept.Select(Path.GetFileName).Append("model.zip").Append("model.onnx").Order();
            Assert.Equal(expected, Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        });
    }
}
