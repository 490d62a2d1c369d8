package backpropcl.cli;

import backpropcl.data.DataSplit;
import backpropcl.engine.EngineSelector;
import backpropcl.engine.Evaluation;
import backpropcl.io.ModelFile;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints a saved model's cost and accuracy on a data set.",
            "",
            "The mean cost and the accuracy on the data set's test split (--split train for the training split). "
                    + "Without --data: the data the model records it was trained on (train --save records it), read, split and "
                    + "normalised as in training; a model file without that record: mnist-10k. With --data: data whose "
                    + "width or classes differ from the model's is refused (exit 2)."},
        footer = {"", "Examples:", "  backprop-cl train --save digits.safetensors && backprop-cl evaluate --model digits.safetensors",
            "  backprop-cl train --data iris.csv --label-column last --save iris.safetensors",
            "  backprop-cl evaluate --model iris.safetensors    # iris.csv's test split, as in training"})
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true,
            description = "A model written by 'train --save' (safetensors).")
    Path model;

    @Option(names = "--split", paramLabel = "NAME", defaultValue = "test",
            description = "Which split to evaluate: test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--json", description = "Print one JSON object instead of a line of text.")
    boolean json;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    EngineOptions engineOptions;

    @Override
    public Integer call() {
        if (!split.equals("test") && !split.equals("train")) {
            throw new UserError("--split must be test or train, got '" + split + "'");
        }
        ModelFile.Saved saved = ModelFile.load(model);
        DataSplit data = ModelData.load(saved, model, dataOptions, spec, spec.commandLine().getErr());
        var evaluated = split.equals("test") ? data.test() : data.train();
        Evaluation e;
        String engineName;
        try (EngineSelector.Choice choice = engineOptions.open(saved.network(), saved.parameters())) {
            e = choice.engine().evaluate(evaluated);
            engineName = choice.engine().description();
        }
        var out = spec.commandLine().getOut();
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("model", model.toString());
            o.addProperty("network", saved.network().toString());
            o.addProperty("data", data.name());
            o.addProperty("split", split);
            o.addProperty("samples", e.count());
            o.addProperty("correct", e.correct());
            o.add("accuracy", JsonOutput.number(e.accuracy()));
            o.add("cost", JsonOutput.number(e.meanCost()));   // Infinity when the outputs overflow
            o.addProperty("engine", engineName);
            out.println(JsonOutput.compact(o));
        } else {
            out.printf(Locale.ROOT, "%s on %s %s: accuracy %.4f (%d/%d), cost %.4f [%s]%n", model, data.name(), split,
                    e.accuracy(), e.correct(), e.count(), e.meanCost(), saved.network());
        }
        return ExitCodes.OK;
    }
}
