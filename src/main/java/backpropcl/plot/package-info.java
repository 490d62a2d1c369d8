/**
 * Pictures of training and of trained networks, written as PNG: loss and accuracy curves per epoch
 * (drawn with XChart), a confusion matrix, the first layer's weights and their gradients as a grid
 * of images, and the decision boundary of a network with two inputs (drawn with Graphics2D).
 *
 * <p>{@link backpropcl.plot.Plots} is the entry point; every file is written to a temporary file in
 * the same directory and moved into place, so a failed plot never leaves half an image behind.
 */
package backpropcl.plot;
