// The queue ticket's print button (an external file: the Content-Security-Policy allows no inline script).
document.getElementById("print-ticket")?.addEventListener("click", () => window.print());
