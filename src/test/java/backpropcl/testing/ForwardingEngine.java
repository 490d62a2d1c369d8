package backpropcl.testing;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/** A test double: a reference engine behind every method; tests override what they break. */
public class ForwardingEngine implements Engine {
    protected final ReferenceEngine inner;

    public ForwardingEngine(Network net, Parameters initial) {
        this.inner = new ReferenceEngine(net, initial);
    }

    @Override
    public String description() {
        return "forwarding (test double)";
    }

    @Override
    public Network network() {
        return inner.network();
    }

    @Override
    public void setParameters(Parameters p) {
        inner.setParameters(p);
    }

    @Override
    public Parameters parameters() {
        return inner.parameters();
    }

    @Override
    public void setOptimizer(Optimizer optimizer) {
        inner.setOptimizer(optimizer);
    }

    @Override
    public Optimizer optimizer() {
        return inner.optimizer();
    }

    @Override
    public TrainingState state() {
        return inner.state();
    }

    @Override
    public void setState(TrainingState state) {
        inner.setState(state);
    }

    @Override
    public void setTrainingData(Dataset train) {
        inner.setTrainingData(train);
    }

    @Override
    public void setOrder(int[] order) {
        inner.setOrder(order);
    }

    @Override
    public void trainBatch(int start, int rows, double learningRate) {
        inner.trainBatch(start, rows, learningRate);
    }

    @Override
    public void setSeed(long seed) {
        inner.setSeed(seed);
    }

    @Override
    public void computeGradients(int start, int rows, int firstRow) {
        inner.computeGradients(start, rows, firstRow);
    }

    @Override
    public backpropcl.model.Gradients gradients() {
        return inner.gradients();
    }

    @Override
    public void gradients(backpropcl.model.Gradients into) {
        inner.gradients(into);
    }

    @Override
    public void setGradients(backpropcl.model.Gradients gradients) {
        inner.setGradients(gradients);
    }

    @Override
    public void applyGradients(double learningRate) {
        inner.applyGradients(learningRate);
    }

    @Override
    public boolean outputFinite() {
        return inner.outputFinite();
    }

    @Override
    public Evaluation evaluate(Dataset data) {
        return inner.evaluate(data);
    }

    @Override
    public LayerTrace trace(int layer) {
        return inner.trace(layer);
    }

    @Override
    public void close() {
        inner.close();
    }
}
