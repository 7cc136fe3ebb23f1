// Namespaces nearly every file of this assembly uses.
global using Microsoft.ML;
global using Microsoft.ML.Data;
global using Microsoft.ML.Runtime;
global using RnnMl.MLNet.Internal;
global using RnnMl.MLNet.Pipeline;
global using RnnMl.Text;
global using RnnMl.Torch.Models;
global using RnnMl.Torch.Training;
