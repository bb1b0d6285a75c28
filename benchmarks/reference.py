"""Fused numpy references: each workload's forward and backward derived by hand, no autograd.

These are the speed limit the package is measured against: the same math as the package's
losses and layers, written in the fewest passes over memory that plain numpy allows. Every
gradient below is derived in its docstring; every numerical trick is named where it happens.
Arrays keep the dtype they come in (float32 stays float32).

Conventions: ``n`` is a batch size, ``g`` a gradient arriving from above, ``dx`` the gradient
of the mean loss with respect to ``x``.
"""

from __future__ import annotations

import numpy as np


def cross_entropy(logits: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy of integer targets, and its gradient with respect to the logits.

    loss = mean_i [ log sum_c exp(x_ic) - x_i,t_i ];   dx = (softmax(x) - onehot(t)) / N

    Parameters
    ----------
    logits : (N, C) float array.
    target : (N,) integer class indices in [0, C).

    Returns
    -------
    loss : 0-d array in the logits' dtype.
    dlogits : (N, C) array in the logits' dtype.

    Five passes over the (N, C) array: max, subtract, exp, sum, scale.
    """
    n = logits.shape[0]
    rows = np.arange(n)
    # log-sum-exp: subtracting the row max changes nothing mathematically and keeps exp from
    # overflowing; the shift is a constant as far as the gradient is concerned.
    shift = logits.max(axis=1, keepdims=True)  # (N, 1)
    e = np.subtract(logits, shift)  # (N, C), the one new buffer
    picked = e[rows, target]  # (N,) x_i,t_i - shift_i, read before exp overwrites it
    np.exp(e, out=e)
    total = e.sum(axis=1)  # (N,)
    loss = (np.log(total) - picked).sum() / n
    # softmax = e / total; the 1/N of the mean is folded into the same scaling pass.
    e *= (1.0 / (total * n))[:, None]
    e[rows, target] -= 1.0 / n
    return np.asarray(loss, dtype=logits.dtype), e


def binary_cross_entropy_with_logits(
    logits: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean binary cross-entropy on logits, and its gradient with respect to the logits.

    loss = mean[ max(x, 0) - x y + log(1 + exp(-|x|)) ];   dx = (sigmoid(x) - y) / n

    with n the number of elements. Both forms are the textbook
    ``-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))`` rearranged so that exp only ever
    sees a non-positive number and never overflows.

    Parameters
    ----------
    logits : float array of any shape.
    target : array of the same shape, values in [0, 1].

    Returns
    -------
    loss : 0-d array in the logits' dtype.
    dlogits : array of the logits' shape and dtype.
    """
    n = logits.size
    # max(x, 0) = x - min(x, 0), and min(x, 0) is needed again for the sigmoid below.
    low = np.minimum(logits, 0)  # min(x, 0)
    d = np.abs(logits)
    np.negative(d, out=d)
    np.exp(d, out=d)  # exp(-|x|) in (0, 1]: no overflow
    d += 1.0  # 1 + exp(-|x|)
    xy = np.multiply(logits, target)
    total = logits.sum() - xy.sum() - low.sum() + np.log(d, out=xy).sum()
    # sigmoid(x) = exp(min(x, 0)) / (1 + exp(-|x|)): 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below.
    np.exp(low, out=low)
    low /= d
    low -= target
    low *= 1.0 / n
    return np.asarray(total / n, dtype=logits.dtype), low


def nt_xent(
    z_a: np.ndarray, z_b: np.ndarray, temperature: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NT-Xent (SimCLR) mean loss over both views, and its gradients w.r.t. z_a and z_b.

    With z = concat(z_a, z_b) of 2N rows, u_i = z_i / |z_i| and s_ik = u_i . u_k / tau, row i's
    positive is p(i) = (i + N) mod 2N and

        loss = mean_i [ log sum_{k != i} exp(s_ik) - s_i,p(i) ]

    Backward, step by step:

    - ds_ik = (P_ik - [k = p(i)]) / 2N with P_ik = exp(s_ik) / sum_{k' != i} exp(s_ik') and
      P_ii = 0 (the softmax of each row over k != i);
    - s = u u^T / tau uses u twice, so du = (ds + ds^T) u / tau;
    - u = z / r with r = |z| per row: du/dz = (I - u u^T) / r, so
      dz_i = (du_i - u_i (u_i . du_i)) / r_i, the part of du_i orthogonal to u_i, over r_i.

    Parameters
    ----------
    z_a, z_b : (N, D) float arrays, the two views' embeddings.
    temperature : tau > 0.

    Returns
    -------
    loss : 0-d array in the inputs' dtype.
    dz_a, dz_b : (N, D) arrays.
    """
    n = z_a.shape[0]
    m = 2 * n
    rows = np.arange(m)
    positive = (rows + n) % m
    z = np.concatenate([z_a, z_b])  # (2N, D)
    r = np.sqrt(np.einsum("ij,ij->i", z, z))[:, None]  # (2N, 1) row norms
    u = z / r  # (2N, D) unit rows
    # 1/tau scales the small (2N, D) operand, not the (2N, 2N) product. u times its own
    # transpose is faster with the transpose made contiguous first.
    s = (u * (1.0 / temperature)) @ np.ascontiguousarray(u.T)  # (2N, 2N)
    picked = s[rows, positive]  # (2N,) s_i,p(i)
    # Every s_ik <= 1/tau because the rows are unit vectors, so 1/tau is a shift that keeps
    # exp from overflowing without a pass to find each row's max (exact for tau >= 0.05).
    shift = 1.0 / temperature
    s -= shift
    np.exp(s, out=s)
    s.flat[:: m + 1] = 0.0  # k != i: each row's own similarity leaves the denominator
    total = s.sum(axis=1)  # (2N,)
    loss = (np.log(total) + shift - picked).sum() / m
    s *= (1.0 / (total * m))[:, None]  # P / 2N
    s[rows, positive] -= 1.0 / m  # ds, (2N, 2N)
    # (ds + ds^T) u as two products: BLAS reads ds^T in place, while forming ds + ds^T
    # walks one of them across rows and costs more than the second product.
    du = s @ u  # (2N, D)
    du += s.T @ u
    du *= 1.0 / temperature
    dz = du - u * np.einsum("ij,ij->i", du, u)[:, None]
    dz /= r
    return np.asarray(loss, dtype=z_a.dtype), dz[:n], dz[n:]


def mlp_sgd_step(
    params: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray, target: np.ndarray, lr: float
) -> tuple[np.ndarray, list]:
    """One SGD step of a ReLU MLP on mean cross-entropy; updates ``params`` in place.

    Forward: h_0 = x, a_l = h_{l-1} W_l + b_l, h_l = relu(a_l), the last layer without relu.
    Backward from g = dloss/da_L (cross_entropy's gradient), layer by layer:

        dW_l = h_{l-1}^T g,   db_l = sum over the batch of g,
        g <- (g W_l^T) * [a_{l-1} > 0]   (relu passes the gradient where it was open)

    then W_l -= lr dW_l and b_l -= lr db_l.

    Parameters
    ----------
    params : list of (W, b), W of shape (in, out) and b of shape (out,); changed in place.
    x : (N, in) inputs.
    target : (N,) integer classes.
    lr : learning rate.

    Returns
    -------
    loss : 0-d array, the loss before the update.
    grads : list of (dW, db), one per layer, the gradients the update used.
    """
    hidden = [x]  # the inputs of each layer, kept for dW
    h = x
    last = len(params) - 1
    for i, (w, b) in enumerate(params):
        h = h @ w  # (N, out)
        h += b
        if i < last:
            np.maximum(h, 0, out=h)  # relu in place: a_l is not needed, h_l > 0 iff a_l > 0
            hidden.append(h)
    loss, g = cross_entropy(h, target)
    grads = [None] * len(params)
    for i in range(last, -1, -1):
        w, b = params[i]
        grads[i] = (hidden[i].T @ g, g.sum(axis=0))
        if i > 0:
            g = g @ w.T  # (N, in)
            g *= hidden[i] > 0
    for (w, b), (dw, db) in zip(params, grads):
        w -= lr * dw
        b -= lr * db
    return loss, grads


def elementwise_chain(x, factors: tuple, n_ops: int):
    """Raw numpy, no gradients: ``n_ops`` elementwise ops cycling y*a, y+b, y-c, y/d.

    Parameters
    ----------
    x : the starting array (or a Tensor: the benchmark runs the very same chain on ours).
    factors : (a, b, c, d), arrays broadcastable to x.
    n_ops : how many ops to run.

    Returns
    -------
    The chain's output, of x's shape.
    """
    a, b, c, d = factors
    y = x
    for i in range(n_ops):
        step = i % 4
        if step == 0:
            y = y * a
        elif step == 1:
            y = y + b
        elif step == 2:
            y = y - c
        else:
            y = y / d
    return y


def elementwise_chain_grad(
    x: np.ndarray, factors: tuple[np.ndarray, ...], n_ops: int
) -> np.ndarray:
    """The gradient of ``elementwise_chain(x, ...).sum()`` w.r.t. x, in closed form.

    Adding or subtracting a constant passes the gradient unchanged; multiplying by a scales it
    by a and dividing by d scales it by 1/d, so dx = a^(muls) / d^(divs), elementwise.
    """
    a, _, _, d = factors
    muls = (n_ops + 3) // 4  # the ops at positions 0, 4, 8, ...
    divs = n_ops // 4  # the ops at positions 3, 7, 11, ...
    return np.ones_like(x) * a**muls / d**divs
