package backpropcl.engine.opencl;

/** The three matrix products of a dense layer, each with a kernel in both families. */
enum Product {
    /** z = x W^T + b, a = f(z): (rows, m) x (n, m)^T. */
    FORWARD,
    /** delta_prev = (delta W) * f'(z_prev): (rows, n) x (n, m). */
    BACKWARD,
    /** gradW = delta^T a_prev / rows with the SGD step: (rows, n)^T x (rows, m). */
    GRADIENTS
}
