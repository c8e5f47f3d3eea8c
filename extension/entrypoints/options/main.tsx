import { render } from "preact";
import { OptionsForm } from "../../ui/options-form";

const root = document.getElementById("app");
if (root) render(<OptionsForm />, root);
