document.querySelectorAll("[data-add]").forEach((b) => b.addEventListener("click", () => { b.textContent = "Added"; }));
